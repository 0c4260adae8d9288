// The allowlist sanitizer all feed HTML passes through before it is stored or shown.
//
// Threat: feed content is written by strangers and shown inside the reader's own pages, under the
// reader's origin. Anything executable (scripts, event handlers, javascript: URLs, plugins, SVG/MathML
// tricks), anything that can act on the page (forms, <base>, <meta refresh>, styles, ids) or that
// tracks the reader (pixels, click ids) must not survive. So only markup known to be inert is kept,
// and every URL in it is rewritten to an absolute http(s) (or mailto) URL.
//
// One pass of htmlparser2 (with the fast tokenizer) produces the sanitized HTML and its text. The
// output is rebuilt from parse events, never copied from the input: only allowlisted tags, every
// attribute quoted and escaped, every text escaped, so what a browser parses is what we checked.
// (sanitize-html did this in three parses at ~8 MB/s and was most of the cost of a refresh.)
import { decodeHTML, decodeHTMLAttribute } from 'entities';
import { CollapsedText, collapseWhitespace } from '../feed/parse/text.js';
import { IndexOfTokenizer } from '../feed/parse/tokenizer.js';
import { NESTING_LIMIT, parseWithinNesting, TOO_DEEP, type ParseHtml } from './nesting.js';
import { absolutizeUrl, stripTrackingParams, type UrlKind } from './urls.js';

/** The only sandbox an embedded player gets: enough to play, not to navigate the reader's page. */
export const IFRAME_SANDBOX = 'allow-scripts allow-same-origin allow-popups';

/** Video players that may be embedded, as https URL prefixes. */
const EMBED_URL_PREFIXES = [
  'https://www.youtube.com/embed/',
  'https://www.youtube-nocookie.com/embed/',
  'https://player.vimeo.com/video/',
];

/** Images that only count readers, as host + path prefixes (`host/` means the whole host). */
const PIXEL_URL_PREFIXES = [
  'feeds.feedburner.com/~r/',
  'feedproxy.google.com/~r/',
  'pixel.wp.com/',
  'stats.wordpress.com/',
  'feeds.wordpress.com/1.0/',
  'pi.feedsportal.com/',
  'www.google-analytics.com/',
  'pixel.quantserve.com/',
  'feedads.g.doubleclick.net/',
];

/** The hosts of PIXEL_URL_PREFIXES, as a URL's normalized host writes them. */
const PIXEL_HOSTS = [...new Set(PIXEL_URL_PREFIXES.map((prefix) => prefix.slice(0, prefix.indexOf('/'))))];

// Limits that keep hostile input from costing more than ordinary content: no real link is longer
// than MAX_URL_LENGTH, inline images above MAX_DATA_IMAGE_LENGTH belong on a server, and nothing
// real nests deeper than NESTING_LIMIT (deeper tags are ignored, their text kept; see nesting.ts).
const MAX_URL_LENGTH = 8 * 1024;
const MAX_SRCSET_LENGTH = 32 * 1024;
const MAX_DATA_IMAGE_LENGTH = 256 * 1024;

// prettier-ignore
const ALLOWED_TAGS = new Set([
  // text and structure
  'p', 'br', 'hr', 'div', 'span', 'section', 'article', 'aside', 'header', 'footer', 'address',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6',
  'b', 'i', 'em', 'strong', 'u', 's', 'strike', 'del', 'ins', 'mark', 'small', 'big', 'sub', 'sup',
  'q', 'cite', 'abbr', 'dfn', 'time', 'kbd', 'samp', 'var', 'code', 'pre', 'blockquote',
  'bdi', 'bdo', 'ruby', 'rt', 'rp', 'wbr',
  'ul', 'ol', 'li', 'dl', 'dt', 'dd',
  'table', 'caption', 'colgroup', 'col', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td',
  'figure', 'figcaption', 'details', 'summary',
  // links and media
  'a', 'img', 'picture', 'source', 'video', 'audio', 'iframe',
]);

// No `style` anywhere: styles can hide text, overlay the reader's controls with fake ones, or load
// URLs the scheme checks never see. No `class` or `id`: they would pick up the reader's own CSS and
// clobber its DOM (an `id` or `name` can shadow the page's own elements and `document`/`window`
// properties that its script looks up).
/** An attribute, or an attribute whose value must be one of `values` (each word, when `multiple`). */
type AllowedAttribute = string | { name: string; values: string[]; multiple?: boolean };

const ALLOWED_ATTRIBUTES: Record<string, AllowedAttribute[]> = {
  '*': ['title', 'lang', 'dir'],
  a: [
    'href',
    { name: 'rel', multiple: true, values: ['noopener', 'noreferrer'] },
    { name: 'target', values: ['_blank'] },
  ],
  img: ['src', 'srcset', 'sizes', 'alt', 'width', 'height', { name: 'loading', values: ['lazy'] }],
  source: ['src', 'srcset', 'sizes', 'type', 'media', 'width', 'height'],
  video: ['src', 'poster', 'controls', 'width', 'height', 'loop', 'muted', 'playsinline'],
  audio: ['src', 'controls', 'loop', 'muted'],
  iframe: [
    'src',
    'width',
    'height',
    'allowfullscreen',
    { name: 'sandbox', values: [IFRAME_SANDBOX] },
    { name: 'loading', values: ['lazy'] },
  ],
  blockquote: ['cite'],
  q: ['cite'],
  del: ['cite', 'datetime'],
  ins: ['cite', 'datetime'],
  time: ['datetime'],
  ol: ['start', 'reversed', 'type'],
  li: ['value'],
  th: ['colspan', 'rowspan', 'headers', 'scope', 'abbr'],
  td: ['colspan', 'rowspan', 'headers'],
  col: ['span'],
  colgroup: ['span'],
  details: ['open'],
};

/**
 * Disallowed elements whose content is dropped with them; the others are unwrapped, content kept.
 * <noscript> is unwrapped on purpose: lazy-loading themes put the real <img> inside it.
 */
// prettier-ignore
const NON_TEXT_TAGS = new Set([
  'script', 'style', 'template', 'title', 'textarea', 'select', 'option', 'datalist', 'xmp',
  'noembed', 'noframes', 'svg',
]);

/** Per tag: attribute name → the values it may take (null: any value). */
const ATTRIBUTE_RULES = new Map<string, Map<string, { values: Set<string> | null; multiple: boolean }>>();
for (const tag of ALLOWED_TAGS) {
  const rules = new Map<string, { values: Set<string> | null; multiple: boolean }>();
  for (const rule of [...(ALLOWED_ATTRIBUTES['*'] ?? []), ...(ALLOWED_ATTRIBUTES[tag] ?? [])]) {
    if (typeof rule === 'string') rules.set(rule, { values: null, multiple: false });
    else rules.set(rule.name, { values: new Set(rule.values), multiple: rule.multiple === true });
  }
  ATTRIBUTE_RULES.set(tag, rules);
}

const VOID_TAGS = new Set(['br', 'hr', 'img', 'source', 'wbr', 'col']);
/** Each allowed tag as written without attributes, and its end tag: made once, not at every element. */
const BARE_TAGS = new Map(
  [...ALLOWED_TAGS].map((tag) => [tag, VOID_TAGS.has(tag) ? `<${tag} />` : `<${tag}>`]),
);
const END_TAGS = new Map([...ALLOWED_TAGS].map((tag) => [tag, `</${tag}>`]));
/** Attributes holding URLs: each must be absolute with an allowed scheme when it reaches the output. */
const URL_ATTRIBUTES = new Set(['href', 'src', 'cite', 'poster']);
// Block boundaries become spaces in the text, as htmlToText does.
const BLOCK_TAGS = new Set(
  'p div br li ul ol h1 h2 h3 h4 h5 h6 tr td th table blockquote pre section article header footer figure figcaption dd dt hr'.split(
    ' ',
  ),
);

/** Sanitized HTML and the text it shows. */
export interface SanitizedHtml {
  html: string;
  /** The visible text, whitespace collapsed (what htmlToText gives for `html`). */
  text: string;
}

/**
 * `html` reduced to the allowlist, with every URL absolute (against `baseUrl`) and free of tracking
 * parameters, links opening in a new tab without a referrer, images lazy, embeds sandboxed, and
 * tracking pixels removed. Relative URLs are dropped when there is no base. Never throws.
 */
export function sanitizeHtml(html: string, baseUrl: string | null): string {
  return sanitizeWithText(html, baseUrl).html;
}

/** `sanitizeHtml`, and the text of its result, from one parse. */
export function sanitizeWithText(html: string, baseUrl: string | null): SanitizedHtml {
  return parseWithinNesting(html, (parse) => sanitizeParsed(parse, baseUrl));
}

function sanitizeParsed(parse: ParseHtml, baseUrl: string | null): SanitizedHtml {
  // Pieces joined once at the end: a string grown by += is a rope of thousands of pieces, which
  // costs more to flatten (when it is sent to the writing thread or stored) than one join.
  const out: string[] = [];
  const text = new CollapsedText();
  // One frame per open element: whether its tag was written, and whether its content is dropped.
  const emitted: boolean[] = [];
  let dropDepth = 0; // > 0 while inside an element whose content is dropped
  let depth = 0;
  parse(
    {
      onopentag(name, rawAttribs) {
        if (++depth > NESTING_LIMIT) throw TOO_DEEP;
        if (dropDepth > 0 || NON_TEXT_TAGS.has(name)) {
          dropDepth++;
          emitted.push(false);
          return;
        }
        if (BLOCK_TAGS.has(name)) text.push(' ');
        if (!ALLOWED_TAGS.has(name)) {
          emitted.push(false);
          return;
        }
        // Most elements have no attributes and get none: nothing to rewrite or check.
        if (isEmpty(rawAttribs) && !REWRITTEN_TAGS.has(name)) {
          out.push(BARE_TAGS.get(name) as string);
          emitted.push(true);
          return;
        }
        // The safety step is last: our rewriting first, then the allowlist on what it produced,
        // then the drop rules on what survived; nothing the rewriting adds escapes the checks.
        const attribs = allowedAttributes(name, rewriteElement(name, decodeAttributes(rawAttribs), baseUrl));
        if (isDropped(name, attribs)) {
          dropDepth++;
          emitted.push(false);
          return;
        }
        out.push('<' + name);
        for (const key in attribs) {
          const value = attribs[key] ?? '';
          // Boolean attributes stand bare; an empty alt stays (it marks a decorative image).
          out.push(value === '' && key !== 'alt' ? ` ${key}` : ` ${key}="${escapeAttribute(value)}"`);
        }
        out.push(VOID_TAGS.has(name) ? ' />' : '>');
        // Nothing inside an iframe is ever shown; dropping it leaves no markup for a browser to reinterpret.
        if (name === 'iframe') dropDepth++;
        emitted.push(true);
      },
      onclosetag(name) {
        depth--;
        const wasEmitted = emitted.pop() ?? false;
        if (dropDepth > 0 && !(wasEmitted && name === 'iframe')) {
          if (!wasEmitted) {
            dropDepth--;
            return;
          }
        }
        if (wasEmitted && name === 'iframe') dropDepth--;
        if (wasEmitted && !VOID_TAGS.has(name)) out.push(END_TAGS.get(name) as string);
        if (BLOCK_TAGS.has(name)) text.push(' ');
      },
      ontext(data) {
        if (dropDepth > 0) return;
        const value = data.includes('&') ? decodeHTML(data) : data;
        out.push(escapeText(value));
        text.push(value);
      },
    },
    { decodeEntities: false, Tokenizer: IndexOfTokenizer },
  );
  return { html: out.join(''), text: text.toString() };
}

/**
 * The text of HTML this sanitizer wrote (what sanitizeWithText gave with it, and htmlToText reads
 * from it), twice as fast as parsing it (~240 MB/s against 120): its output has only allowlisted
 * tags, each attribute quoted with `<`, `>` and `"` escaped, no comment, script or style, and every
 * `&` of its text escaped, so a tag runs from a `<` to the next `>` and the text between tags,
 * joined, decodes in one pass. For search results, which quote the text of stored bodies: shown
 * as HTML, whose whitespace a browser collapses, they may leave its runs of whitespace as they are
 * (`collapse: false`: only the ends trimmed; collapsing was most of the time this takes).
 */
export function sanitizedHtmlText(html: string, { collapse = true }: { collapse?: boolean } = {}): string {
  const pieces: string[] = [];
  let at = 0;
  for (;;) {
    const open = html.indexOf('<', at);
    if (open < 0) {
      pieces.push(html.slice(at));
      break;
    }
    if (open > at) pieces.push(html.slice(at, open));
    const close = html.indexOf('>', open + 1);
    if (close < 0) break;
    const start = html.charCodeAt(open + 1) === 0x2f ? open + 2 : open + 1;
    let end = start;
    while (end < close && isTagNameChar(html.charCodeAt(end))) end++;
    if (BLOCK_TAGS.has(html.slice(start, end))) pieces.push(' ');
    at = close + 1;
  }
  const joined = pieces.join('');
  const text = joined.includes('&') ? decodeHTML(joined) : joined;
  return collapse ? collapseWhitespace(text) : text.trim();
}

/** a-z and 0-9: the characters of the allowlist's tag names. */
function isTagNameChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39);
}

function isEmpty(attribs: Record<string, string>): boolean {
  for (const _ in attribs) return false;
  return true;
}

function decodeAttributes(raw: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key in raw) {
    const value = raw[key] ?? '';
    out[key] = value.includes('&') ? decodeHTMLAttribute(value) : value;
  }
  return out;
}

/** The attributes the allowlist permits on `tag`, in their order; URL attributes re-checked. */
function allowedAttributes(tag: string, attribs: Record<string, string>): Record<string, string> {
  const rules = ATTRIBUTE_RULES.get(tag);
  const out: Record<string, string> = {};
  if (!rules) return out;
  for (const key in attribs) {
    const rule = rules.get(key);
    const value = attribs[key];
    if (!rule || value === undefined) continue;
    if (URL_ATTRIBUTES.has(key) && !schemeAllowed(tag, key, value)) continue;
    if (rule.values === null) out[key] = value;
    else if (rule.multiple) {
      const words = value.split(/\s+/).filter((w) => rule.values?.has(w));
      if (words.length) out[key] = words.join(' ');
    } else if (rule.values.has(value)) out[key] = value;
  }
  return out;
}

/** Defence in depth: whatever the rewriting did, a URL attribute leaves with an allowed scheme only. */
function schemeAllowed(tag: string, attribute: string, value: string): boolean {
  if (tag === 'iframe') return value.startsWith('https://');
  if (value.startsWith('https://') || value.startsWith('http://')) return true;
  if (tag === 'img' && attribute === 'src') return SAFE_DATA_IMAGE.test(value);
  return attribute === 'href' && value.startsWith('mailto:');
}

// Control characters but HTML's whitespace (tab, newline, form feed, carriage return): C0, DEL and
// C1. No text needs one (a browser shows nothing, or a box), and where an article is printed
// (`gleaner wiki show`, a page of the wiki in a terminal) ESC and CSI start escape sequences. Each
// is a space in text and attribute values, as in titles and the text for search (see
// collapseWhitespace); found by the same test as the characters to escape, at no cost.
// eslint-disable-next-line no-control-regex -- control characters are what it matches
const CONTROLS = /[\0-\x08\x0b\x0e-\x1f\x7f-\x9f]/g;
// eslint-disable-next-line no-control-regex -- control characters are what it matches
const TEXT_SPECIAL = /[&<>\0-\x08\x0b\x0e-\x1f\x7f-\x9f]/;
// eslint-disable-next-line no-control-regex -- control characters are what it matches
const ATTRIBUTE_SPECIAL = /[&<>"\0-\x08\x0b\x0e-\x1f\x7f-\x9f]/;

function escapeText(text: string): string {
  return TEXT_SPECIAL.test(text)
    ? text.replace(CONTROLS, ' ').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    : text;
}

function escapeAttribute(value: string): string {
  return ATTRIBUTE_SPECIAL.test(value)
    ? value
        .replace(CONTROLS, ' ')
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/"/g, '&quot;')
    : value;
}

type Attributes = Record<string, string>;

/**
 * The tags rewriteElement changes and isDropped may drop: every other element without attributes
 * is written as it is (see onopentag), and rewriteElement leaves every other one alone.
 */
// prettier-ignore
const REWRITTEN_TAGS = new Set(['a', 'img', 'source', 'video', 'audio', 'iframe', 'blockquote', 'q', 'del', 'ins']);

/** `attribs` (the element's own copy, changed in place) rewritten: URLs cleaned, safe defaults set. */
function rewriteElement(tagName: string, attribs: Attributes, base: string | null): Attributes {
  if (!REWRITTEN_TAGS.has(tagName)) return attribs;
  switch (tagName) {
    case 'a':
      delete attribs.rel;
      delete attribs.target;
      if (setUrl(attribs, 'href', cleanUrl(attribs.href, base, 'link'))) {
        // Threat: a page opened with window.opener can navigate the reader's tab (tab-nabbing).
        attribs.rel = 'noopener noreferrer';
        attribs.target = '_blank';
      }
      break;
    case 'img':
      setUrl(attribs, 'src', cleanImageSrc(attribs.src, base));
      setUrl(attribs, 'srcset', cleanSrcset(attribs.srcset, base));
      attribs.loading = 'lazy';
      break;
    case 'source':
      setUrl(attribs, 'src', cleanUrl(attribs.src, base, 'media'));
      setUrl(attribs, 'srcset', cleanSrcset(attribs.srcset, base));
      break;
    case 'video':
      setUrl(attribs, 'src', cleanUrl(attribs.src, base, 'media'));
      setUrl(attribs, 'poster', cleanUrl(attribs.poster, base, 'media'));
      attribs.controls = '';
      break;
    case 'audio':
      setUrl(attribs, 'src', cleanUrl(attribs.src, base, 'media'));
      attribs.controls = '';
      break;
    case 'iframe':
      setUrl(attribs, 'src', cleanEmbedSrc(attribs.src, base));
      attribs.sandbox = IFRAME_SANDBOX;
      attribs.allowfullscreen = '';
      attribs.loading = 'lazy';
      break;
    case 'blockquote':
    case 'q':
    case 'del':
    case 'ins':
      setUrl(attribs, 'cite', cleanUrl(attribs.cite, base, 'link'));
      break;
  }
  return attribs;
}

/** Sets `attribs[name]` to `url`, or removes it when there is none; says whether it was set. */
function setUrl(attribs: Attributes, name: string, url: string | null): boolean {
  if (url === null) delete attribs[name];
  else attribs[name] = url;
  return url !== null;
}

function cleanUrl(value: string | undefined, base: string | null, kind: UrlKind): string | null {
  if (value === undefined || value.length > MAX_URL_LENGTH) return null;
  const absolute = absolutizeUrl(value, base, kind);
  return absolute === null ? null : stripTrackingParams(absolute);
}

// Raster formats only: an SVG data: image can carry script when opened on its own.
const SAFE_DATA_IMAGE = /^data:image\/(?:png|gif|jpeg|webp)(?:;[\w.+=-]*)*,/i;

function cleanImageSrc(value: string | undefined, base: string | null): string | null {
  if (value === undefined) return null;
  const trimmed = value.trim();
  if (!/^data:/i.test(trimmed)) return cleanUrl(value, base, 'media');
  return trimmed.length <= MAX_DATA_IMAGE_LENGTH && SAFE_DATA_IMAGE.test(trimmed) ? trimmed : null;
}

/**
 * A srcset with each candidate's URL cleaned like a src; candidates with unusable URLs, and tracking
 * pixels (which a browser may pick and load as it would a src), are dropped.
 */
function cleanSrcset(value: string | undefined, base: string | null): string | null {
  if (value === undefined || value.length > MAX_SRCSET_LENGTH) return null;
  const candidates: string[] = [];
  for (const { url, descriptor } of parseSrcset(value)) {
    const clean = cleanUrl(url, base, 'media');
    if (clean === null || isPixelUrl(clean)) continue;
    const written = srcsetUrl(clean);
    candidates.push(/^(?:\d+w|\d+(?:\.\d+)?x)$/.test(descriptor) ? `${written} ${descriptor}` : written);
  }
  return candidates.length === 0 ? null : candidates.join(', ');
}

/**
 * `url` (clean: the URL parser left no whitespace in it) as a srcset candidate's URL, read back as
 * it is: a browser ends a candidate at a URL's trailing commas and drops them, and would read its
 * descriptor as a URL of its own. Removing a tracking parameter can leave one (`?v=1,&utm_source=x`),
 * so trailing commas are escaped.
 */
function srcsetUrl(url: string): string {
  let end = url.length;
  while (end > 0 && url.charCodeAt(end - 1) === 0x2c) end--;
  return end === url.length ? url : url.slice(0, end) + '%2C'.repeat(url.length - end);
}

/** Splits a srcset as the HTML standard does: a URL runs to whitespace, descriptors to a comma. */
function parseSrcset(value: string): { url: string; descriptor: string }[] {
  const candidates: { url: string; descriptor: string }[] = [];
  let i = 0;
  while (i < value.length) {
    while (i < value.length && isSpaceOrComma(value.charCodeAt(i))) i++;
    if (i >= value.length) break;
    const urlStart = i;
    while (i < value.length && !isSpace(value.charCodeAt(i))) i++;
    let url = value.slice(urlStart, i);
    let descriptor = '';
    if (url.endsWith(',')) {
      url = url.replace(/,+$/, '');
    } else {
      const descriptorStart = i;
      let parens = 0;
      for (; i < value.length; i++) {
        const c = value.charAt(i);
        if (c === '(') parens++;
        else if (c === ')') parens = Math.max(0, parens - 1);
        else if (c === ',' && parens === 0) break;
      }
      descriptor = value.slice(descriptorStart, i).trim();
    }
    if (url !== '') candidates.push({ url, descriptor });
  }
  return candidates;
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d;
}

function isSpaceOrComma(code: number): boolean {
  return code === 0x2c || isSpace(code);
}

/**
 * An iframe src when it is one of the allowed video players, else null. Upgraded to https, and
 * without `autoplay`: nothing in an entry starts playing by itself.
 */
function cleanEmbedSrc(value: string | undefined, base: string | null): string | null {
  const clean = cleanUrl(value, base, 'media');
  if (clean === null) return null;
  const url = new URL(clean);
  url.protocol = 'https:';
  if (!EMBED_URL_PREFIXES.some((prefix) => url.href.startsWith(prefix))) return null;
  if (url.searchParams.has('autoplay')) url.searchParams.delete('autoplay');
  return url.href;
}

/** The drop rules, applied to each element after its attributes passed the allowlist (REWRITTEN_TAGS only). */
function isDropped(tag: string, attribs: Attributes): boolean {
  const { src, srcset } = attribs;
  switch (tag) {
    case 'img':
      return (src === undefined && srcset === undefined) || isTrackingPixel(attribs);
    case 'source':
      return src === undefined && srcset === undefined;
    case 'iframe':
      return src === undefined;
    default:
      return false;
  }
}

function isTrackingPixel(attribs: Record<string, string>): boolean {
  const width = pixelSize(attribs.width);
  const height = pixelSize(attribs.height);
  if (width !== null && height !== null && width <= 1 && height <= 1) return true;
  return attribs.src !== undefined && isPixelUrl(attribs.src);
}

/** Whether `url`, absolute as cleanUrl gives it, is one of the PIXEL_URL_PREFIXES. */
function isPixelUrl(url: string): boolean {
  // Most URLs name none of their hosts: looking for the hosts costs less than parsing every URL.
  if (!/^https?:/i.test(url) || !PIXEL_HOSTS.some((host) => url.includes(host))) return false;
  try {
    const { hostname, pathname } = new URL(url);
    // A trailing dot names the same host (a fully qualified name), and reaches the same server.
    const host = hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
    return PIXEL_URL_PREFIXES.some((prefix) => (host + pathname).startsWith(prefix));
  } catch {
    return false;
  }
}

// The leading number, after ASCII whitespace, and the '%' that may follow it.
const DIMENSION = /^[\t\n\f\r ]*(\d+(?:\.\d*)?)(%?)/;

/**
 * A width or height in pixels as a browser reads it, or null for none or a percentage. HTML's rules
 * for parsing dimension values take the leading number and ignore what follows, so "1;", "1e3",
 * "1pt" and "1 1" all lay the image out one pixel wide.
 */
function pixelSize(value: string | undefined): number | null {
  const match = value === undefined ? null : DIMENSION.exec(value);
  return match?.[1] === undefined || match[2] === '%' ? null : Number(match[1]);
}
