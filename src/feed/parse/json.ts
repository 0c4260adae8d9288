// JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1), adapted to the model.
import type { ParsedEntry, ParsedFeed } from '../../model/index.js';
import { parseDate } from './date.js';
import { emptyEntry, nonEmpty, parseLength, pushCategory, pushEnclosure } from './extensions.js';
import { escapeHtml } from './textconstruct.js';
import { collapseWhitespace, htmlToText } from './text.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Strings as given; numbers too (some feeds write numeric ids), anything else is absent. */
const str = (v: unknown): string | null =>
  typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : null;

function resolve(url: unknown, base: string | null): string | null {
  const s = nonEmpty(str(url));
  if (!s) return null;
  try {
    return new URL(s, base ?? undefined).href;
  } catch {
    return base ? null : s;
  }
}

/** A string member as the XML formats read text: whitespace and control characters collapsed; null when empty. */
function plainText(value: unknown): string | null {
  return nonEmpty(collapseWhitespace(str(value) ?? ''));
}

/** JSON Feed 1.1 has `authors`; 1.0 has `author`. */
function authorName(obj: Json): string | null {
  const authors = Array.isArray(obj.authors) ? obj.authors : isObject(obj.author) ? [obj.author] : [];
  for (const a of authors) {
    if (isObject(a)) {
      const name = plainText(a.name);
      if (name) return name;
    }
  }
  return null;
}

export function adaptJson(doc: unknown, baseUrl: string | null, feed: ParsedFeed): void {
  if (!isObject(doc)) {
    feed.warnings.push('the JSON document is not an object, so it is not a JSON Feed');
    return;
  }
  const version = str(doc.version) ?? '';
  if (!version.startsWith('https://jsonfeed.org/version/') && !Array.isArray(doc.items)) {
    feed.warnings.push('the JSON document has neither a JSON Feed version nor items');
    return;
  }
  feed.format = 'json';
  feed.title = plainText(doc.title);
  feed.link = resolve(doc.home_page_url, baseUrl);
  feed.selfUrl = resolve(doc.feed_url, baseUrl);
  feed.description = plainText(doc.description);
  feed.language = plainText(doc.language);
  feed.iconUrl = resolve(doc.icon, baseUrl) ?? resolve(doc.favicon, baseUrl);
  if (Array.isArray(doc.hubs)) {
    for (const hub of doc.hubs) {
      if (isObject(hub) && str(hub.type)?.toLowerCase() === 'websub')
        feed.hubUrl ??= resolve(hub.url, baseUrl);
    }
  }
  const feedAuthor = authorName(doc);
  const base = feed.link ?? baseUrl;
  for (const item of Array.isArray(doc.items) ? doc.items : []) {
    if (isObject(item)) feed.items.push(adaptItem(item, base, feedAuthor));
  }
}

function adaptItem(item: Json, base: string | null, feedAuthor: string | null): ParsedEntry {
  const entry = emptyEntry();
  entry.id = nonEmpty(str(item.id));
  const title = str(item.title);
  entry.title =
    title == null
      ? null
      : title.includes('<') || title.includes('&')
        ? htmlToText(title)
        : collapseWhitespace(title);
  entry.link = resolve(item.url, base) ?? resolve(item.external_url, base);
  entry.published = parseDate(str(item.date_published) ?? '');
  entry.updated = parseDate(str(item.date_modified) ?? '');
  entry.published ??= entry.updated;
  entry.author = authorName(item) ?? feedAuthor;
  if (Array.isArray(item.tags)) for (const tag of item.tags) pushCategory(entry, str(tag));
  const html = str(item.content_html);
  const text = str(item.content_text);
  entry.contentHtml = html ?? (text != null ? escapeHtml(text).replace(/\n/g, '<br>') : null);
  const summary = str(item.summary);
  entry.summaryHtml = summary != null ? escapeHtml(summary) : null;
  entry.imageUrl = resolve(item.image, base) ?? resolve(item.banner_image, base);
  entry.language = plainText(item.language);
  if (Array.isArray(item.attachments)) {
    for (const a of item.attachments) {
      if (!isObject(a)) continue;
      const url = resolve(a.url, base);
      if (url) {
        pushEnclosure(entry, {
          url,
          type: nonEmpty(str(a.mime_type)),
          length: typeof a.size_in_bytes === 'number' ? a.size_in_bytes : parseLength(str(a.size_in_bytes)),
        });
      }
    }
  }
  return entry;
}
